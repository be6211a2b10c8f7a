"""How large a request may be: the bounds validation enforces."""

from __future__ import annotations

from dataclasses import dataclass

from .store.base import DEFAULT_MAX_REPLY_BYTES

# A speaker is a name ("Caroline"), not text: a fixed bound, not a setting.
MAX_SPEAKER_CHARS = 256
# RecordVisitsRequest.visits: a batching caller's count per id, well beyond any flush window.
MAX_VISITS_PER_CALL = 1_000_000


@dataclass(frozen=True)
class RequestLimits:
    max_batch: int = 1000
    max_content_bytes: int = 32 * 1024
    # 1,000 items of 32 KiB would be 32 MiB, twice the message limit: a batch also stops at
    # this many bytes in all, so that it fits, and so does the reply that echoes it.
    max_batch_bytes: int = 8 * 1024 * 1024
    # A page (ListMemories, ExportMemories) ends early rather than pass this many bytes.
    max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES
    max_metadata_entries: int = 64
    max_metadata_key_chars: int = 128
    max_metadata_value_chars: int = 2048
    max_tags: int = 32
    max_tag_chars: int = 128
    max_source_message_ids: int = 256
    max_filter_values: int = 100
    default_page_size: int = 50
    max_page_size: int = 1000
    default_export_page_size: int = 1000
    max_export_page_size: int = 5000
    max_idempotency_key_chars: int = 128
    max_cube_name_chars: int = 200
    max_cube_description_chars: int = 2000
    max_dedup_key_chars: int = 256
    max_job_event_bytes: int = 64 * 1024
    max_lease_jobs: int = 1000
    max_visibility_timeout_seconds: int = 3600
    max_lease_wait_milliseconds: int = 60_000
    max_retry_after_seconds: int = 24 * 3600
    max_job_error_chars: int = 8192
    max_job_note_chars: int = 2048
