"""Imported by the forkserver before it forks slots, so each slot starts with Django ready."""

from .child import prepare

prepare()
