"""The public board (公示栏): /board (feature), and the read-only web pages yishi run serves (web, pages)."""
