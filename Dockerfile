# Yishi (议事) as a container: `yishi run` by long polling, its SQLite database in /data.
# The base is a Debian or Ubuntu image with Python 3.11 or newer and its venv module; the
# default is the official slim image (another: docker build --build-arg BASE=IMAGE .).
ARG BASE=python:3.11-slim
FROM ${BASE}

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The user the bot runs as and the dependencies, in layers of their own: a change to the
# code alone does not download the dependencies again.
RUN groupadd --system --gid 10001 yishi \
 && useradd --system --uid 10001 --gid yishi --home-dir /data --shell /usr/sbin/nologin yishi \
 && mkdir -p /data \
 && chown yishi:yishi /data
COPY pyproject.toml /src/
RUN python3 -m venv /opt/yishi \
 && python3 -c "import tomllib; print('\n'.join(tomllib.load(open('/src/pyproject.toml', 'rb'))['project']['dependencies']))" > /src/requirements.txt \
 && /opt/yishi/bin/pip install --quiet -r /src/requirements.txt

COPY . /src
RUN /opt/yishi/bin/pip install --quiet --no-deps /src \
 && rm -rf /src

# The database (and the files SQLite keeps beside it) lives on the volume mounted at /data.
USER yishi
WORKDIR /data
ENV PATH=/opt/yishi/bin:$PATH \
    YISHI_DB=/data/yishi.sqlite3
VOLUME /data

# On SIGTERM (docker stop) the bot shows the changes it still owes and closes the database.
# No HEALTHCHECK: the bot serves nothing a probe could ask; if it stops, the container stops
# and the restart policy starts it again.
STOPSIGNAL SIGTERM
ENTRYPOINT ["yishi"]
CMD ["run"]
