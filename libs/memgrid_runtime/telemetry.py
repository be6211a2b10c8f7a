"""OpenTelemetry tracing and structured logs that carry the current trace id.

Exporting follows the standard OTEL_* environment: with OTEL_EXPORTER_OTLP_ENDPOINT (or
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) set, spans go to that collector over OTLP/gRPC; without
it spans are still created, so that logs carry trace ids and context still propagates to
the next service. OTEL_SDK_DISABLED=true turns tracing off entirely.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

_LOG_RECORD_DEFAULTS = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "trace_id",
    "span_id",
}


@dataclass
class Telemetry:
    tracer_provider: TracerProvider | None

    def shutdown(self) -> None:
        """Flushes buffered spans; called last on shutdown."""
        if self.tracer_provider is not None:
            self.tracer_provider.shutdown()


def tracing_enabled() -> bool:
    """False under OTEL_SDK_DISABLED=true: then servers and channels leave out the
    OpenTelemetry interceptors, which cost 4-8% of each service's CPU per call even with
    no tracer provider (a py-spy profile of Search, issue #12)."""
    return os.environ.get("OTEL_SDK_DISABLED", "").lower() != "true"


def configure_telemetry(
    service_name: str, *, log_level: str = "INFO", log_json: bool = False
) -> Telemetry:
    """Sets up logging and tracing for one service process. Call once, in the entry point."""
    configure_logging(service_name, level=log_level, json_lines=log_json)
    if not tracing_enabled():
        return Telemetry(tracer_provider=None)
    resource = Resource.create({SERVICE_NAME: os.environ.get("OTEL_SERVICE_NAME", service_name)})
    provider = TracerProvider(resource=resource)
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    ):
        # Imported only when exporting: the exporter pulls in a second gRPC stack's worth of
        # modules that an unexported service need not load (start-up time, idle RSS).
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return Telemetry(tracer_provider=provider)


class _TraceContextFilter(logging.Filter):
    """Stamps every record with the active span's trace and span ids."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            record.trace_id = format(context.trace_id, "032x")
            record.span_id = format(context.span_id, "016x")
        else:
            record.trace_id = ""
            record.span_id = ""
        return True


class _JsonFormatter(logging.Formatter):
    def __init__(self, service_name: str) -> None:
        super().__init__()
        self._service = service_name

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "msg": record.getMessage(),
            "trace_id": getattr(record, "trace_id", ""),
            "span_id": getattr(record, "span_id", ""),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _LOG_RECORD_DEFAULTS})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class _TextFormatter(logging.Formatter):
    """One readable line per record, with the trace id when there is one."""

    def __init__(self, service_name: str) -> None:
        super().__init__("%(asctime)s %(levelname)-5s " + service_name + " %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        trace_id = getattr(record, "trace_id", "")
        return f"{line} trace_id={trace_id}" if trace_id else line


def configure_logging(service_name: str, *, level: str = "INFO", json_lines: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_TraceContextFilter())
    handler.setFormatter(
        _JsonFormatter(service_name) if json_lines else _TextFormatter(service_name)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
