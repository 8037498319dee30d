"""argparse types shared by the management commands: each names what is wrong."""

from __future__ import annotations

import argparse


def positive_int(text: str) -> int:
    """A whole number of at least 1."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{number} is not at least 1")
    return number


def non_negative_days(text: str) -> int:
    """A whole number of days, zero or more."""
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if days < 0:
        raise argparse.ArgumentTypeError("days must not be negative")
    return days


def non_negative_seconds(text: str) -> float:
    """A number of seconds, zero or more."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not seconds >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError("seconds must not be negative")
    return seconds


def positive_seconds(text: str) -> float:
    """A number of seconds above zero."""
    seconds = non_negative_seconds(text)
    if seconds == 0:
        raise argparse.ArgumentTypeError("seconds must be above zero")
    return seconds
