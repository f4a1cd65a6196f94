use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261123_000007_create_mobile_users::MobileUsers, m20261123_000008_create_licenses::Licenses,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Nominal seats of products other than MOBILE, given to one mobile user.
#[derive(DeriveIden)]
enum LicenseAssignments {
    Table,
    Id,
    LicenseId,
    MobileUserId,
    AssignedAt,
}

/// Competitive seats: a live session holds one until it ends or stops sending heartbeats.
#[derive(DeriveIden)]
enum LicenseSessions {
    Table,
    Id,
    LicenseId,
    MobileUserId,
    TokenHash,
    StartedAt,
    ExpiresAt,
    EndedAt,
    EndReason,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LicenseAssignments::Table)
                    .col(big_pk_auto(LicenseAssignments::Id))
                    .col(big_integer(LicenseAssignments::LicenseId))
                    .col(big_integer(LicenseAssignments::MobileUserId))
                    .col(timestamp_with_time_zone(LicenseAssignments::AssignedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_license_assignments_license")
                            .from(LicenseAssignments::Table, LicenseAssignments::LicenseId)
                            .to(Licenses::Table, Licenses::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_license_assignments_user")
                            .from(LicenseAssignments::Table, LicenseAssignments::MobileUserId)
                            .to(MobileUsers::Table, MobileUsers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_license_assignments_unique")
                    .table(LicenseAssignments::Table)
                    .col(LicenseAssignments::LicenseId)
                    .col(LicenseAssignments::MobileUserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LicenseSessions::Table)
                    .col(big_pk_auto(LicenseSessions::Id))
                    .col(big_integer(LicenseSessions::LicenseId))
                    .col(big_integer(LicenseSessions::MobileUserId))
                    .col(string_len_uniq(LicenseSessions::TokenHash, 64))
                    .col(timestamp_with_time_zone(LicenseSessions::StartedAt))
                    .col(timestamp_with_time_zone(LicenseSessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(LicenseSessions::EndedAt))
                    .col(string_null(LicenseSessions::EndReason))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_license_sessions_license")
                            .from(LicenseSessions::Table, LicenseSessions::LicenseId)
                            .to(Licenses::Table, Licenses::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_license_sessions_user")
                            .from(LicenseSessions::Table, LicenseSessions::MobileUserId)
                            .to(MobileUsers::Table, MobileUsers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_license_sessions_live")
                    .table(LicenseSessions::Table)
                    .col(LicenseSessions::LicenseId)
                    .col(LicenseSessions::EndedAt)
                    .col(LicenseSessions::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LicenseSessions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(LicenseAssignments::Table).to_owned())
            .await
    }
}
