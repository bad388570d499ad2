"""Every table, registered on one metadata."""

from app.models.annotation import Annotation, AnnotationTag
from app.models.base import DatePrecision, RecordBase, metadata
from app.models.claim import (
    Prediction,
    Recommendation,
    event_actor,
    event_topic,
    prediction_actor,
    prediction_event,
    prediction_topic,
    recommendation_actor,
    recommendation_topic,
)
from app.models.document import Document, Event, Report, ReportAuthor, ReportDocument
from app.models.organization import Actor, Analyst, Organization, Topic
from app.models.outcome import ConditionCheck, Forecast, Resolution, ScoreRollup, StatusChange
from app.models.trust import ApiKey, AuditEvent, IdempotencyRecord

__all__ = [
    "Actor",
    "Analyst",
    "Annotation",
    "AnnotationTag",
    "ApiKey",
    "AuditEvent",
    "ConditionCheck",
    "DatePrecision",
    "Document",
    "Event",
    "Forecast",
    "IdempotencyRecord",
    "Organization",
    "Prediction",
    "Recommendation",
    "RecordBase",
    "Report",
    "ReportAuthor",
    "ReportDocument",
    "Resolution",
    "ScoreRollup",
    "StatusChange",
    "Topic",
    "event_actor",
    "event_topic",
    "metadata",
    "prediction_actor",
    "prediction_event",
    "prediction_topic",
    "recommendation_actor",
    "recommendation_topic",
]
