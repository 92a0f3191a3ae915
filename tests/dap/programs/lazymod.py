"""Imported late by lazy_main.py."""


def work(n):
    result = n * 3  # @lazy-body
    return result
