"""Adapters that let agent frameworks keep their memory in memgrid. Each one needs its
framework installed, as the extra of the same name: `pip install "memgrid-client[langgraph]"`.
"""
