"""Every Cypher statement the graph runs, in the subset FalkorDB and Neo4j both execute
the same way (no shortestPath in MATCH, no datetime(), no EXISTS {} subqueries, no
elementId(), no APOC).

Values, names and relation types are always parameters ($...), never spliced into the
text: a relation's type is data in its `type` property on the one RELATES relationship
type. The only text chosen at run time is a traversal's arrow and its number of expansion
rounds, picked from tables built below from an enum and the hop bound.

The model, per tenant and user (model.GraphScope): every Entity and Alias pattern matches
both, so one user's statements never reach another's nodes; relations and mentions only
join nodes of one user. Memory ids are unique within a tenant, so removal finds a memory
by (tenant, id) and reads its user from it.
    (:Entity {tenant, user, key, name, type})
    (:Alias {tenant, user, key, name})-[:ALIAS_OF]->(:Entity)
    (:Memory {tenant, id, user})-[:MENTIONS {provenance, confidence}]->(:Entity)
    (:Entity)-[:RELATES {type, valid_from, valid_to, confidence, source_memory_ids}]->(:Entity)
Times are integer microseconds since the epoch (store/values.py).
"""

from __future__ import annotations

from services.graph.limits import MAX_HOPS
from services.graph.model import Direction

# Patterns start from the node an index finds by key: FalkorDB anchors a MATCH on its
# first indexed node. Aliases come from a pattern comprehension, which both backends run
# per row far cheaper than OPTIONAL MATCH + collect.
ENTITY_DETAILS = """
UNWIND $keys AS k
MATCH (e:Entity {tenant: $tenant, user: $user, key: k})
RETURN e.key AS key, e.name AS name, e.type AS type,
       [(e)<-[:ALIAS_OF]-(a:Alias) | a.name] AS aliases
"""

# Upserts only need to know which keys exist, not what they hold.
ENTITY_KEYS = """
UNWIND $keys AS k
MATCH (e:Entity {tenant: $tenant, user: $user, key: k})
RETURN e.key AS key
"""

ALIAS_KEYS = """
UNWIND $keys AS k
MATCH (:Alias {tenant: $tenant, user: $user, key: k})-[:ALIAS_OF]->(e:Entity)
RETURN k AS alias_key, e.key AS key
"""

ENTITIES_BY_ALIAS = """
UNWIND $keys AS k
MATCH (:Alias {tenant: $tenant, user: $user, key: k})-[:ALIAS_OF]->(e:Entity)
RETURN k AS alias_key, e.key AS key, e.name AS name, e.type AS type,
       [(e)<-[:ALIAS_OF]-(a:Alias) | a.name] AS aliases
"""

UPSERT_ENTITIES = """
UNWIND $rows AS row
MERGE (e:Entity {tenant: $tenant, user: $user, key: row.key})
ON CREATE SET e.name = row.name, e.type = row.type
ON MATCH SET e.type = CASE WHEN row.type = '' THEN e.type ELSE row.type END
RETURN count(e) AS written
"""

UPSERT_ALIASES = """
UNWIND $rows AS row
MATCH (e:Entity {tenant: $tenant, user: $user, key: row.entity_key})
MERGE (a:Alias {tenant: $tenant, user: $user, key: row.alias_key})
ON CREATE SET a.name = row.alias_name
MERGE (a)-[:ALIAS_OF]->(e)
RETURN count(a) AS written
"""

# Evidence accumulates: the highest confidence wins and memory ids are united, so applying
# the same rows again changes nothing. valid_to only ever goes from unset to set here.
UPSERT_RELATIONS = """
UNWIND $rows AS row
MATCH (a:Entity {tenant: $tenant, user: $user, key: row.source_key})
MATCH (b:Entity {tenant: $tenant, user: $user, key: row.target_key})
MERGE (a)-[r:RELATES {type: row.type, valid_from: row.valid_from}]->(b)
ON CREATE SET r.confidence = row.confidence,
              r.source_memory_ids = row.source_memory_ids,
              r.valid_to = row.valid_to
ON MATCH SET r.confidence = CASE WHEN row.confidence > r.confidence
                                 THEN row.confidence ELSE r.confidence END,
             r.source_memory_ids = r.source_memory_ids
                 + [m IN row.source_memory_ids WHERE NOT m IN r.source_memory_ids],
             r.valid_to = CASE WHEN r.valid_to IS NULL THEN row.valid_to ELSE r.valid_to END
RETURN count(r) AS written
"""

# Explicit mentions overwrite provenance and confidence (the last extraction wins);
# mentions implied by a relation's evidence only fill in what is missing. A memory is its
# user's: another user's upsert naming it links nothing to it.
UPSERT_MENTIONS = """
UNWIND $rows AS row
MATCH (e:Entity {tenant: $tenant, user: $user, key: row.entity_key})
MERGE (m:Memory {tenant: $tenant, id: row.memory_id})
ON CREATE SET m.user = $user
WITH row, e, m
WHERE m.user = $user
MERGE (m)-[l:MENTIONS]->(e)
ON CREATE SET l.provenance = row.provenance, l.confidence = row.confidence
ON MATCH SET l.provenance = CASE WHEN row.explicit THEN row.provenance ELSE l.provenance END,
             l.confidence = CASE WHEN row.explicit THEN row.confidence ELSE l.confidence END
RETURN count(l) AS written
"""

FIND_BY_KEY = """
MATCH (e:Entity {tenant: $tenant, user: $user, key: $key})
WHERE size($types) = 0 OR e.type IN $types
RETURN e.key AS key
"""

FIND_BY_ALIAS = """
MATCH (:Alias {tenant: $tenant, user: $user, key: $key})-[:ALIAS_OF]->(e:Entity)
WHERE size($types) = 0 OR e.type IN $types
RETURN e.key AS key
ORDER BY key
LIMIT $limit
"""

FIND_BY_KEY_PREFIX = """
MATCH (e:Entity {tenant: $tenant, user: $user})
WHERE e.key STARTS WITH $prefix AND (size($types) = 0 OR e.type IN $types)
RETURN e.key AS key
ORDER BY key
LIMIT $limit
"""

FIND_BY_ALIAS_PREFIX = """
MATCH (a:Alias {tenant: $tenant, user: $user})-[:ALIAS_OF]->(e:Entity)
WHERE a.key STARTS WITH $prefix AND (size($types) = 0 OR e.type IN $types)
RETURN DISTINCT e.key AS key
ORDER BY key
LIMIT $limit
"""

_ARROWS = {
    Direction.OUTGOING: "-[r:RELATES]->",
    Direction.INCOMING: "<-[r:RELATES]-",
    Direction.BOTH: "-[r:RELATES]-",
}

# The relations a traversal follows: of the filter's types, valid at $at (any time if null).
_FOLLOWED = """(size($types) = 0 OR r.type IN $types)
  AND ($at IS NULL OR (r.valid_from <= $at AND (r.valid_to IS NULL OR r.valid_to > $at)))"""

_REACHED_COLUMNS = """b.key AS to_key, b.name AS to_name, b.type AS to_type,
       [(b)<-[:ALIAS_OF]-(al:Alias) | al.name] AS to_aliases"""

_RELATION_COLUMNS = """startNode(r).key AS source_key, endNode(r).key AS target_key,
       r.type AS type, r.confidence AS confidence, r.source_memory_ids AS source_memory_ids,
       r.valid_from AS valid_from, r.valid_to AS valid_to"""

# One level of a traversal: the followed relations leaving the frontier's entities.
_EXPAND_TEMPLATE = f"""
UNWIND $frontier AS from_key
MATCH (a:Entity {{tenant: $tenant, user: $user, key: from_key}})ARROW(b:Entity)
WHERE {_FOLLOWED}
RETURN from_key, {_REACHED_COLUMNS},
       {_RELATION_COLUMNS}
LIMIT $max_rows
"""

EXPAND = {
    direction: _EXPAND_TEMPLATE.replace("ARROW", arrow) for direction, arrow in _ARROWS.items()
}

# A vicinity: everything a traversal of `hops` levels from some names needs, in one query,
# so that a neighbourhood costs one round trip instead of one per level. Every part returns
# the same columns; `kind` says which part a row comes from:
#   entity    from_key: a requested key; to_*: the entity it names
#   alias     from_key: a requested key; to_*: an entity it is an alias of
#   relation  from_key: the entity a followed relation leaves; to_*: the entity it reaches;
#             the relation's columns as EXPAND returns them
#   mentions  to_key: an entity; memory_ids and mention_confidences: the memories
#             mentioning it (one row per entity: far fewer values to read than a row each)
# The relations read are those leaving every entity within hops - 1 of the keys' entities
# and alias targets: a superset of what the level-by-level walk asks for (it may start from
# fewer entities, or stop admitting entities at its limit), which it then replays in Python
# (store/vicinity.py). Each expansion round reads at most $max_rows_per_hop relations, as a
# level of EXPAND does; `capped` says a round or the whole read hit its bound.
_NO_RELATION_COLUMNS = """null AS source_key, null AS target_key, null AS type,
       null AS confidence, null AS source_memory_ids, null AS valid_from, null AS valid_to"""

# Put in place of NO_MENTIONS in the queries that read mentions, and left out of the others:
# fewer columns are fewer values to read.
_NO_MENTION_COLUMNS = " null AS memory_ids, null AS mention_confidences,"

_VICINITY_START = f"""
UNWIND $keys AS k
MATCH (b:Entity {{tenant: $tenant, user: $user, key: k}})
RETURN 'entity' AS kind, k AS from_key, {_REACHED_COLUMNS},
       {_NO_RELATION_COLUMNS},NO_MENTIONS false AS capped
UNION ALL
UNWIND $keys AS k
MATCH (:Alias {{tenant: $tenant, user: $user, key: k}})-[:ALIAS_OF]->(b:Entity)
RETURN 'alias' AS kind, k AS from_key, {_REACHED_COLUMNS},
       {_NO_RELATION_COLUMNS},NO_MENTIONS false AS capped
"""

# `ball`: the entities within the rounds so far; `ring`: those the last round added. Lists
# of nodes, not keys, so that a round expands them without an index lookup each. The null
# appended to the ring keeps one row flowing when a round finds nothing, so that the
# entities already in the ball are still expanded below.
_BALL_START = """
UNWIND $keys AS k
OPTIONAL MATCH (named:Entity {tenant: $tenant, user: $user, key: k})
OPTIONAL MATCH (:Alias {tenant: $tenant, user: $user, key: k})-[:ALIAS_OF]->(aliased:Entity)
UNWIND [named, aliased] AS s
WITH collect(DISTINCT s) AS ball
WITH ball, ball AS ring, false AS capped
"""

_BALL_ROUND = f"""
UNWIND ring + [null] AS a
OPTIONAL MATCH (a)ARROW(n:Entity)
WHERE {_FOLLOWED}
WITH ball, capped, n
LIMIT $max_rows_per_hop
WITH ball, capped, collect(DISTINCT n) AS near, count(*) AS read
WITH ball, capped OR read >= $max_rows_per_hop AS capped,
     [y IN near WHERE NOT y IN ball] AS ring
WITH ball + ring AS ball, ring, capped
"""

# Aliases by OPTIONAL MATCH and collect rather than the pattern comprehension EXPAND uses:
# FalkorDB runs the comprehension once per row, and that was a third of this part's time.
_VICINITY_RELATIONS = f"""
UNWIND ball AS a
MATCH (a)ARROW(b:Entity)
WHERE {_FOLLOWED}
WITH a, r, b, capped
LIMIT $max_relation_rows
OPTIONAL MATCH (b)<-[:ALIAS_OF]-(al:Alias)
WITH a, r, b, capped, collect(al.name) AS to_aliases
RETURN 'relation' AS kind, a.key AS from_key, b.key AS to_key, b.name AS to_name,
       b.type AS to_type, to_aliases,
       {_RELATION_COLUMNS},NO_MENTIONS capped
"""

_VICINITY_MENTIONS = f"""
UNWIND ball AS b
MATCH (b)<-[l:MENTIONS]-(m:Memory)
WITH b, l, m, capped
LIMIT $max_mention_rows
WITH b, capped, collect(m.id) AS memory_ids, collect(l.confidence) AS mention_confidences
RETURN 'mentions' AS kind, null AS from_key, b.key AS to_key, null AS to_name,
       null AS to_type, null AS to_aliases, {_NO_RELATION_COLUMNS},
       memory_ids, mention_confidences, capped
"""


def _ball(direction: Direction, rounds: int) -> str:
    return _BALL_START + _BALL_ROUND.replace("ARROW", _ARROWS[direction]) * rounds


def _vicinity(direction: Direction, hops: int, *, mentions: bool) -> str:
    parts = [_VICINITY_START]
    if hops > 0:
        relations = _VICINITY_RELATIONS.replace("ARROW", _ARROWS[direction])
        parts.append(_ball(direction, hops - 1) + relations)
    if mentions:
        parts.append(_ball(direction, hops) + _VICINITY_MENTIONS)
    return "UNION ALL".join(parts).replace("NO_MENTIONS", _NO_MENTION_COLUMNS if mentions else "")


# By (direction, hops, with the mentions of every entity within hops).
VICINITY = {
    (direction, hops, mentions): _vicinity(direction, hops, mentions=mentions)
    for direction in Direction
    for hops in range(MAX_HOPS + 1)
    for mentions in (False, True)
}

MENTIONS_OF_MEMORY = """
MATCH (m:Memory {tenant: $tenant, id: $memory_id, user: $user})-[l:MENTIONS]->(e:Entity)
RETURN e.key AS key, e.name AS name, e.type AS type,
       [(e)<-[:ALIAS_OF]-(a:Alias) | a.name] AS aliases,
       l.provenance AS provenance, l.confidence AS confidence
ORDER BY key
"""

INVALIDATE_RELATIONS = """
MATCH (a:Entity {tenant: $tenant, user: $user, key: $source_key})
      -[r:RELATES]->(b:Entity {tenant: $tenant, user: $user, key: $target_key})
WHERE r.type = $type AND r.valid_to IS NULL AND r.valid_from < $valid_to
SET r.valid_to = $valid_to
RETURN count(r) AS invalidated
"""

# Merging `source` into `target`: copy aliases, mentions and relations over with MERGE
# (so a retry after a partial failure converges), then delete the source.
MERGE_ALIASES = """
MATCH (s:Entity {tenant: $tenant, user: $user, key: $source_key})<-[:ALIAS_OF]-(a:Alias)
MATCH (t:Entity {tenant: $tenant, user: $user, key: $target_key})
MERGE (a)-[:ALIAS_OF]->(t)
RETURN count(a) AS moved
"""

MERGE_NAME_AS_ALIAS = """
MATCH (s:Entity {tenant: $tenant, user: $user, key: $source_key})
MATCH (t:Entity {tenant: $tenant, user: $user, key: $target_key})
MERGE (a:Alias {tenant: $tenant, user: $user, key: $source_key})
ON CREATE SET a.name = s.name
MERGE (a)-[:ALIAS_OF]->(t)
SET t.type = CASE WHEN t.type = '' THEN s.type ELSE t.type END
RETURN count(a) AS moved
"""

MERGE_MENTIONS = """
MATCH (s:Entity {tenant: $tenant, user: $user, key: $source_key})<-[l:MENTIONS]-(m:Memory)
MATCH (t:Entity {tenant: $tenant, user: $user, key: $target_key})
MERGE (m)-[n:MENTIONS]->(t)
ON CREATE SET n.provenance = l.provenance, n.confidence = l.confidence
ON MATCH SET n.confidence = CASE WHEN l.confidence > n.confidence
                                 THEN l.confidence ELSE n.confidence END
RETURN count(n) AS moved
"""

# Relations between the merged entities would become self-loops, which say nothing: they
# are left behind and deleted with the source.
MERGE_OUTGOING_RELATIONS = """
MATCH (s:Entity {tenant: $tenant, user: $user, key: $source_key})-[r:RELATES]->(x:Entity)
WHERE NOT x.key IN [$source_key, $target_key]
MATCH (t:Entity {tenant: $tenant, user: $user, key: $target_key})
MERGE (t)-[n:RELATES {type: r.type, valid_from: r.valid_from}]->(x)
ON CREATE SET n.confidence = r.confidence,
              n.source_memory_ids = r.source_memory_ids,
              n.valid_to = r.valid_to
ON MATCH SET n.confidence = CASE WHEN r.confidence > n.confidence
                                 THEN r.confidence ELSE n.confidence END,
             n.source_memory_ids = n.source_memory_ids
                 + [m IN r.source_memory_ids WHERE NOT m IN n.source_memory_ids]
RETURN count(n) AS moved
"""

MERGE_INCOMING_RELATIONS = """
MATCH (s:Entity {tenant: $tenant, user: $user, key: $source_key})<-[r:RELATES]-(x:Entity)
WHERE NOT x.key IN [$source_key, $target_key]
MATCH (t:Entity {tenant: $tenant, user: $user, key: $target_key})
MERGE (x)-[n:RELATES {type: r.type, valid_from: r.valid_from}]->(t)
ON CREATE SET n.confidence = r.confidence,
              n.source_memory_ids = r.source_memory_ids,
              n.valid_to = r.valid_to
ON MATCH SET n.confidence = CASE WHEN r.confidence > n.confidence
                                 THEN r.confidence ELSE n.confidence END,
             n.source_memory_ids = n.source_memory_ids
                 + [m IN r.source_memory_ids WHERE NOT m IN n.source_memory_ids]
RETURN count(n) AS moved
"""

DELETE_ENTITY = """
MATCH (e:Entity {tenant: $tenant, user: $user, key: $key})
DETACH DELETE e
"""

# An entity's own key is never its alias (a source's alias may spell the target's name).
DROP_SELF_ALIAS = """
MATCH (a:Alias {tenant: $tenant, user: $user, key: $key})
      -[l:ALIAS_OF]->(:Entity {tenant: $tenant, user: $user, key: $key})
DELETE l
"""

DELETE_UNUSED_ALIASES = """
UNWIND $keys AS k
MATCH (a:Alias {tenant: $tenant, user: $user, key: k})
WHERE NOT (a)-[:ALIAS_OF]->()
DELETE a
"""

# Removing memories. Relations carry their memories' ids, and those memories mention both
# endpoints, so the relations to revise are found from the memories' entities.
ENTITIES_OF_MEMORIES = """
UNWIND $memory_ids AS id
MATCH (m:Memory {tenant: $tenant, id: id})-[:MENTIONS]->(e:Entity)
RETURN DISTINCT m.user AS user, e.key AS key
"""

RELATIONS_CITING_MEMORIES = """
UNWIND $keys AS k
MATCH (:Entity {tenant: $tenant, user: $user, key: k})-[r:RELATES]-(:Entity)
WHERE any(m IN r.source_memory_ids WHERE m IN $memory_ids)
RETURN DISTINCT startNode(r).key AS source_key, endNode(r).key AS target_key,
       r.type AS type, r.valid_from AS valid_from,
       [m IN r.source_memory_ids WHERE NOT m IN $memory_ids] AS kept
"""

SET_RELATION_SOURCES = """
UNWIND $rows AS row
MATCH (a:Entity {tenant: $tenant, user: $user, key: row.source_key})
      -[r:RELATES]->(b:Entity {tenant: $tenant, user: $user, key: row.target_key})
WHERE r.type = row.type AND r.valid_from = row.valid_from
SET r.source_memory_ids = row.kept
RETURN count(r) AS updated
"""

DELETE_RELATIONS = """
UNWIND $rows AS row
MATCH (a:Entity {tenant: $tenant, user: $user, key: row.source_key})
      -[r:RELATES]->(b:Entity {tenant: $tenant, user: $user, key: row.target_key})
WHERE r.type = row.type AND r.valid_from = row.valid_from
DELETE r
RETURN count(*) AS deleted
"""

COUNT_MENTIONS_OF_MEMORIES = """
UNWIND $memory_ids AS id
MATCH (m:Memory {tenant: $tenant, id: id})-[l:MENTIONS]->()
RETURN count(l) AS n
"""

DELETE_MEMORIES = """
UNWIND $memory_ids AS id
MATCH (m:Memory {tenant: $tenant, id: id})
DETACH DELETE m
"""

UNMENTIONED_ENTITIES = """
UNWIND $keys AS k
MATCH (e:Entity {tenant: $tenant, user: $user, key: k})
WHERE NOT (e)<-[:MENTIONS]-()
RETURN e.key AS key, [(e)<-[:ALIAS_OF]-(a:Alias) | a.key] AS alias_keys
"""

# The mention check is repeated so that an entity mentioned again since the previous query
# is kept.
DELETE_UNMENTIONED_ENTITIES = """
UNWIND $keys AS k
MATCH (e:Entity {tenant: $tenant, user: $user, key: k})
WHERE NOT (e)<-[:MENTIONS]-()
DETACH DELETE e
"""

COUNT_ENTITIES = "MATCH (e:Entity {tenant: $tenant, user: $user}) RETURN count(e) AS n"
COUNT_RELATIONS = (
    "MATCH (:Entity {tenant: $tenant, user: $user})-[r:RELATES]->() RETURN count(r) AS n"
)
COUNT_MEMORIES = "MATCH (m:Memory {tenant: $tenant, user: $user}) RETURN count(m) AS n"
COUNT_UNLINKED_ENTITIES = """
MATCH (e:Entity {tenant: $tenant, user: $user})
WHERE NOT (e)<-[:MENTIONS]-()
RETURN count(e) AS n
"""
