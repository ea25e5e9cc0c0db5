"""The saved library: stored data sets, saved segmentations and their snapshots.

Revision ID: 0001_library
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_library"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("token", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("columns", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "saved_segmentations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("dataset_token", sa.String(64), sa.ForeignKey("datasets.token"), nullable=False),
        sa.Column("dataset_name", sa.String(300), nullable=False),
        sa.Column("customers", sa.Integer, nullable=False),
        sa.Column("k", sa.Integer, nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("bundle", sa.Text, nullable=False),
        sa.Column("model_token", sa.String(64), nullable=True),
        sa.Column("model_bundle", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_saved_segmentations_dataset_token", "saved_segmentations", ["dataset_token"])
    op.create_index("ix_saved_segmentations_model_token", "saved_segmentations", ["model_token"])
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("segmentation_id", sa.String(64),
                  sa.ForeignKey("saved_segmentations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("dataset_token", sa.String(64), sa.ForeignKey("datasets.token"), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("customers", sa.Integer, nullable=False),
        sa.Column("sizes", sa.Text, nullable=False),
        sa.Column("labels", sa.LargeBinary, nullable=False),
        sa.Column("mapping", sa.Text, nullable=False),
        sa.Column("warning", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_snapshots_segmentation_id", "snapshots", ["segmentation_id"])
    op.create_index("ix_snapshots_dataset_token", "snapshots", ["dataset_token"])


def downgrade() -> None:
    op.drop_table("snapshots")
    op.drop_table("saved_segmentations")
    op.drop_table("datasets")
