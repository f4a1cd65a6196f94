use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_organizations::Organizations;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What an assignment notification said (docs/behaviour.md#notification-mail), for its View in browser page.
#[derive(DeriveIden)]
enum AssignmentNotices {
    Table,
    Id,
    OrganizationId,
    UserId,
    FreedUserId,
    Total,
    Used,
    Available,
    CreatedAt,
}

/// Addresses that unsubscribed from an organization's notifications.
#[derive(DeriveIden)]
enum NotificationOptouts {
    Table,
    Address,
    OrganizationId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AssignmentNotices::Table)
                    .col(big_pk_auto(AssignmentNotices::Id))
                    .col(big_integer(AssignmentNotices::OrganizationId))
                    .col(string_len(AssignmentNotices::UserId, 36))
                    .col(string_len_null(AssignmentNotices::FreedUserId, 36))
                    .col(big_integer(AssignmentNotices::Total))
                    .col(big_integer(AssignmentNotices::Used))
                    .col(big_integer(AssignmentNotices::Available))
                    .col(timestamp_with_time_zone(AssignmentNotices::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_assignment_notices_organization")
                            .from(AssignmentNotices::Table, AssignmentNotices::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NotificationOptouts::Table)
                    .col(string(NotificationOptouts::Address))
                    .col(big_integer(NotificationOptouts::OrganizationId))
                    .col(timestamp_with_time_zone(NotificationOptouts::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(NotificationOptouts::Address)
                            .col(NotificationOptouts::OrganizationId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notification_optouts_organization")
                            .from(
                                NotificationOptouts::Table,
                                NotificationOptouts::OrganizationId,
                            )
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(NotificationOptouts::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AssignmentNotices::Table).to_owned())
            .await
    }
}
