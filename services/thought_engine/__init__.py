"""thought-engine: background cognition over a user's memories.

The modules here are pure and backend-free so that a worker leasing jobs from memory-store
can call them: segmentation, summaries, fact / profile / entity extraction, reconciliation,
tiers and heat, pattern detection and feedback learning, each with a deterministic path and,
through `llm`, an optional LLM path that degrades to it.
"""
