"""Storage: the only package that speaks SQL.

Domain modules call the query functions here with an ``Engine``; they never
build SQL themselves. Engine set-up (SQLite pragmas, ``BEGIN IMMEDIATE``)
lives in :mod:`share.storage.engine`.
"""
