"""Request validation for ThoughtService: every bad field named, nothing done.

Field paths are those of the request (the gateway forwards the public fields under the
same names), so a client sees e.g. `scope.session_id` whichever service rejected it.
"""

from __future__ import annotations

import re

from memgrid.thought.v1 import request_response_pb2 as tpb
from memgrid_runtime.errors import FieldViolation, InvalidArgument

# The id rule of memory-store: ids travel in logs, metrics and payloads unescaped.
_SAFE_ID = re.compile(r"[A-Za-z0-9._:@-]{1,128}")
_ID_RULE = "1-128 characters of A-Z a-z 0-9 . _ : @ -"
_CLIENT_KEY = re.compile(r"[!-~]{1,120}")
MAX_MESSAGE_BYTES = 32 * 1024
MAX_CHAT_K = 50
MAX_PAGE_SIZE = 1000


class _Violations:
    def __init__(self) -> None:
        self.found: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self.found.append(FieldViolation(field, description))

    def id(self, field: str, value: str, *, required: bool) -> None:
        if not value:
            if required:
                self.add(field, "required")
        elif not _SAFE_ID.fullmatch(value):
            self.add(field, _ID_RULE)

    def raise_if_any(self) -> None:
        if self.found:
            raise InvalidArgument(self.found)


def _tenant(v: _Violations, tenant_id: str) -> None:
    v.id("tenant_id", tenant_id, required=True)


def check_consolidate(request: tpb.ConsolidateRequest) -> None:
    v = _Violations()
    _tenant(v, request.tenant_id)
    v.id("user_id", request.user_id, required=True)
    v.id("session_id", request.session_id, required=False)
    v.raise_if_any()


def check_get_job(request: tpb.GetJobRequest) -> None:
    v = _Violations()
    _tenant(v, request.tenant_id)
    v.id("job_id", request.job_id, required=True)
    v.raise_if_any()


def check_retry_job(request: tpb.RetryJobRequest) -> None:
    v = _Violations()
    _tenant(v, request.tenant_id)
    v.id("job_id", request.job_id, required=True)
    v.raise_if_any()


def check_get_profile(request: tpb.GetProfileRequest) -> None:
    v = _Violations()
    _tenant(v, request.tenant_id)
    v.id("user_id", request.user_id, required=True)
    v.raise_if_any()


def check_list_patterns(request: tpb.ListPatternsRequest) -> None:
    v = _Violations()
    _tenant(v, request.tenant_id)
    v.id("user_id", request.user_id, required=True)
    if not 0 <= request.page_size <= MAX_PAGE_SIZE:
        v.add("page_size", f"0..{MAX_PAGE_SIZE} (0 means 50)")
    v.raise_if_any()


def check_record_feedback(request: tpb.RecordFeedbackRequest) -> None:
    v = _Violations()
    _tenant(v, request.tenant_id)
    v.id("memory_id", request.memory_id, required=True)
    if request.verdict not in (tpb.FEEDBACK_VERDICT_USEFUL, tpb.FEEDBACK_VERDICT_NOT_USEFUL):
        v.add("verdict", "required: FEEDBACK_VERDICT_USEFUL or FEEDBACK_VERDICT_NOT_USEFUL")
    v.raise_if_any()


def check_chat(request: tpb.ChatRequest) -> None:
    v = _Violations()
    _tenant(v, request.tenant_id)
    v.id("scope.user_id", request.scope.user_id, required=True)
    v.id("scope.session_id", request.scope.session_id, required=True)
    v.id("scope.agent_id", request.scope.agent_id, required=False)
    v.id("scope.cube_id", request.scope.cube_id, required=False)
    if not request.message.strip():
        v.add("message", "required: what the user says, not only whitespace")
    elif len(request.message.encode()) > MAX_MESSAGE_BYTES:
        v.add("message", f"at most {MAX_MESSAGE_BYTES} bytes of UTF-8")
    if not 0 <= request.k <= MAX_CHAT_K:
        v.add("k", f"0..{MAX_CHAT_K} (0 means 8)")
    if request.idempotency_key and not _CLIENT_KEY.fullmatch(request.idempotency_key):
        v.add("idempotency_key", "1-120 printable ASCII characters without spaces")
    v.raise_if_any()
