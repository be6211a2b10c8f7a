"""REST/JSON beside gRPC: a transcoder in front of the gateway, driven by the google.api.http
rules of memgrid.gateway.v1 (see app.py). Run it with `python -m gateway.rest`."""
