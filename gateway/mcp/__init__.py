"""memgrid as an MCP server: the gateway's memory tools for any MCP client (an agent, an
IDE, a desktop assistant), over stdio or streamable HTTP.

It is a public caller of the gateway like any other, through the Python SDK
(libs/memgrid_client) and the caller's own API key: over stdio the one in MEMGRID_API_KEY,
over HTTP the one each request carries, so tenants can share one server. It holds no data
and no key beyond the request that brought it.
"""
