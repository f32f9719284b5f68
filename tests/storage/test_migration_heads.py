"""The feature branches of the migrations are merged: one head, reached from 0001 through every feature."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from storage.db import alembic_config

FEATURES = {"0002_zalo_quota", "0003_reminders", "0004_broadcasts_petitions", "0005_telegram"}


def test_one_head_that_merges_every_feature_branch():
    scripts = ScriptDirectory.from_config(alembic_config())
    [head] = scripts.get_heads()  # later migrations build on the merge, never beside it
    below = {rev.revision for rev in scripts.walk_revisions("base", head)}
    assert {"0001", "0006_merge_features", *FEATURES} <= below
    assert set(scripts.get_revision("0006_merge_features").down_revision) == FEATURES
