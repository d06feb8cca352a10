"""Consultations (征求意见): an open question; residents write statements and vote on them one by one;
the summary shows the common ground across buildings, what divides, and opinion groups."""

from handlers.consultations.feature import register

__all__ = ["register"]
