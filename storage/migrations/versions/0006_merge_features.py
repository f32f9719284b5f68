"""merge the feature branches (Zalo quota, reminders, broadcasts and petitions, Telegram keyboards) into one head

Revision ID: 0006_merge_features
Revises: 0002_zalo_quota, 0003_reminders, 0004_broadcasts_petitions, 0005_telegram
"""

revision = '0006_merge_features'
down_revision = ('0002_zalo_quota', '0003_reminders', '0004_broadcasts_petitions', '0005_telegram')
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the four branches touch separate tables; this only joins their histories."""


def downgrade() -> None:
    """Nothing to undo: splitting back into four heads needs no schema change."""
