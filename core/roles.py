"""Roles and what each may do."""

ADMIN, CHAIR, STAFF, REPORTER, VIEWER = "admin", "chair", "staff", "reporter", "viewer"
ROLES = (ADMIN, CHAIR, STAFF, REPORTER, VIEWER)
STAFF_ROLES = frozenset({ADMIN, CHAIR, STAFF})  # may report for the commune or any unit, invite people
REPORTING_ROLES = STAFF_ROLES | {REPORTER}
