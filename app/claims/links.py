"""The many-to-many links of predictions and recommendations, as list filters use them."""

from app.crud import Link
from app.models import (
    Actor,
    Event,
    Topic,
    prediction_actor,
    prediction_event,
    prediction_topic,
    recommendation_actor,
    recommendation_topic,
)

prediction_actors = Link(prediction_actor, "prediction_id", "actor_id", Actor)
prediction_topics = Link(prediction_topic, "prediction_id", "topic_id", Topic)
prediction_events = Link(prediction_event, "prediction_id", "event_id", Event)
recommendation_actors = Link(recommendation_actor, "recommendation_id", "actor_id", Actor)
recommendation_topics = Link(recommendation_topic, "recommendation_id", "topic_id", Topic)
