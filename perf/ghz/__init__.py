"""ghz configurations of the gateway's main RPCs and their runner (run.py)."""
