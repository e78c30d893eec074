"""Permission of the correction requests' officer pages (:mod:`.corrections_views`)."""
from ..core.roles import Permission

#: See the correction requests of the workers of a subtree and answer them (made or refused).
PRIVACY_CORRECTIONS = Permission("privacy.corrections")
