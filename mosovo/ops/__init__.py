"""Operations: the record of periodic task runs (heartbeat, later the deadline sweeps)."""
