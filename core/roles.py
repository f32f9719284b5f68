"""Roles and what each may do."""

ADMIN, CHAIR, STAFF, REPORTER, VIEWER = "admin", "chair", "staff", "reporter", "viewer"
ROLES = (ADMIN, CHAIR, STAFF, REPORTER, VIEWER)  # the roles of one commune (broadcast audiences, directory files)
STAFF_ROLES = frozenset({ADMIN, CHAIR, STAFF})  # may report for the commune or any unit, invite people
REPORTING_ROLES = STAFF_ROLES | {REPORTER}
# Read-only across every commune of one province (the province's Front office): /tonghop shows the communes
# side by side, /web the same. Not a commune role: never an audience, never in a commune's directory file.
# The person row hangs on one commune of the province (the anchor); their scope is its province.
PROVINCE = "province"
ALL_ROLES = (*ROLES, PROVINCE)
