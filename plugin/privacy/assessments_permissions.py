"""Permission of the impact-assessment pages (:mod:`.assessments_views`)."""
from ..core.roles import Permission

#: Record, change and end personal-information protection impact assessments of a subtree.
#: Held by no role by default: administrators hold every permission.
PRIVACY_ASSESSMENTS = Permission("privacy.assessments")
