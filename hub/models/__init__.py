"""SQLAlchemy models of the hub. Import models from here."""

from hub.models.accounts import AuditEntry, Role, SignInAttempt, SignInMethod, User
from hub.models.base import Base, utcnow, utcnow_precise
from hub.models.federation import (
           ApiToken,
           ExternalIdentity,
           FederationSource,
           IdentityProvider,
           Protocol,
           Provisioning,
           RoleRule,
           RuleSource,
           UsedAssertion,
)
from hub.models.fulltext import RecordFile, StoredFile
from hub.models.harvest import HarvestRun, ItemError
from hub.models.network import Institution, Repository
from hub.models.operations import (
           CompletenessReport,
           CountSnapshot,
           Health,
           RepositoryStatus,
           UsageEvent,
           UsageKind,
)
from hub.models.people import Authorship, AuthorshipKey, Researcher, ResearcherDecision
from hub.models.record import Record
from hub.models.showcase import (
           Collaboration,
           DisciplinePair,
           DisciplineResearcher,
           DisciplineSubject,
           DisciplineYear,
           RecordFacts,
)
from hub.models.webhooks import DeliveryState, EventKind, WebhookDelivery, WebhookSubscription
from hub.models.works import DecisionKind, Work, WorkDecision, WorkKey, WorkMember

__all__ = ["Base", "utcnow", "utcnow_precise", "Institution", "Repository", "HarvestRun", "ItemError", "Record", "StoredFile", "RecordFile",
           "User", "Role", "SignInAttempt", "AuditEntry", "RepositoryStatus", "Health", "CountSnapshot",
           "CompletenessReport", "UsageEvent", "UsageKind", "Work", "WorkMember", "WorkKey", "WorkDecision",
           "DecisionKind", "WebhookSubscription", "WebhookDelivery", "EventKind", "DeliveryState",
           "SignInMethod", "ApiToken", "ExternalIdentity", "FederationSource", "IdentityProvider", "Protocol",
           "Provisioning", "RoleRule", "RuleSource", "UsedAssertion", "Researcher", "Authorship", "AuthorshipKey",
           "ResearcherDecision", "RecordFacts", "DisciplineYear", "DisciplineResearcher", "DisciplineSubject",
           "Collaboration", "DisciplinePair"]
