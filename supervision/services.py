"""Supervision writes: keyword-only, typed functions named <entity>_<action>.

Each runs in a transaction with its audit event.
"""
