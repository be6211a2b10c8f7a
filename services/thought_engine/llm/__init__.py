"""Structured output from a language model: the LLMProvider interface, the OpenAI-compatible
chat provider, per-tenant token budgets and the typed errors a caller degrades on."""
