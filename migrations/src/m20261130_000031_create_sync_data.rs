use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261123_000001_create_organizations::Organizations,
    m20261123_000007_create_mobile_users::MobileUsers, m20261124_000022_create_devices::Devices,
    m20261130_000030_create_sync_entities::SyncEntities,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What a user's devices may do with each entity (docs/behaviour.md#mobile-sync).
#[derive(DeriveIden)]
enum AccessProfiles {
    Table,
    Id,
    OrganizationId,
    Name,
    IsDefault,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AccessRules {
    Table,
    ProfileId,
    EntityId,
    CanRead,
    CanCreate,
    CanUpdate,
    CanDelete,
}

/// `None`: the organization's default profile.
#[derive(DeriveIden)]
enum MobileUsersProfile {
    #[sea_orm(iden = "mobile_users")]
    Table,
    AccessProfileId,
}

/// The last version handed out in an organization; its row is the lock under which the
/// next versions are taken, so versions become visible in order.
#[derive(DeriveIden)]
enum SyncCounters {
    Table,
    OrganizationId,
    LastVersion,
}

/// A record: its current field values, and per field the version and time of its last
/// change (what field-level later-change-wins compares). Deleted records stay as tombstones.
#[derive(DeriveIden)]
enum SyncRecords {
    Table,
    Id,
    OrganizationId,
    EntityId,
    RecordId,
    Fields,
    FieldStamps,
    Version,
    Deleted,
    UpdatedAt,
    UpdatedBy,
    CreatedAt,
}

/// Every version of every record, for the Records page's history.
#[derive(DeriveIden)]
enum SyncRecordVersions {
    Table,
    Id,
    RecordPk,
    Version,
    Fields,
    Deleted,
    ChangedBy,
    ChangedAt,
}

/// The result of every change a device sent, by its `change_id`: a repeat gets it again.
#[derive(DeriveIden)]
enum SyncChanges {
    Table,
    OrganizationId,
    ChangeId,
    Result,
    CreatedAt,
}

/// Conflicts and superseded changes: the synchronization log.
#[derive(DeriveIden)]
enum SyncLog {
    Table,
    Id,
    OrganizationId,
    MobileUserId,
    DeviceId,
    ChangeId,
    EntityName,
    RecordId,
    Op,
    Outcome,
    Kind,
    Message,
    DeviceValues,
    ServerValues,
    ChangedAt,
    CreatedAt,
    State,
    RevertedVersion,
    ClosedAt,
    AccessRequestedAt,
}

/// Per mobile user: the last sync, its device and licence-check result, and the changes the
/// device still held back.
#[derive(DeriveIden)]
enum SyncStatus {
    Table,
    MobileUserId,
    OrganizationId,
    DeviceId,
    SyncedAt,
    CheckStatus,
    CheckState,
    Pending,
    PendingCount,
}

/// The records each user worked with most recently (online and hybrid modes).
#[derive(DeriveIden)]
enum SyncWorkingSet {
    Table,
    MobileUserId,
    RecordPk,
    TouchedAt,
}

fn to_organization(table: impl IntoIden + 'static, name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{name}_organization"))
        .from_tbl(table)
        .from_col(Alias::new("organization_id"))
        .to(Organizations::Table, Organizations::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn index(
    name: &str,
    table: impl IntoIden + 'static,
    cols: &[&'static str],
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(Alias::new(*col));
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AccessProfiles::Table)
                    .col(big_pk_auto(AccessProfiles::Id))
                    .col(big_integer(AccessProfiles::OrganizationId))
                    .col(string_len(AccessProfiles::Name, 80))
                    .col(boolean(AccessProfiles::IsDefault))
                    .col(timestamp_with_time_zone(AccessProfiles::CreatedAt))
                    .col(timestamp_with_time_zone(AccessProfiles::UpdatedAt))
                    .foreign_key(&mut to_organization(
                        AccessProfiles::Table,
                        "access_profiles",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "idx_access_profiles_organization_name",
                    AccessProfiles::Table,
                    &["organization_id", "name"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccessRules::Table)
                    .col(big_integer(AccessRules::ProfileId))
                    .col(big_integer(AccessRules::EntityId))
                    .col(boolean(AccessRules::CanRead))
                    .col(boolean(AccessRules::CanCreate))
                    .col(boolean(AccessRules::CanUpdate))
                    .col(boolean(AccessRules::CanDelete))
                    .primary_key(
                        Index::create()
                            .col(AccessRules::ProfileId)
                            .col(AccessRules::EntityId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_access_rules_profile")
                            .from(AccessRules::Table, AccessRules::ProfileId)
                            .to(AccessProfiles::Table, AccessProfiles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_access_rules_entity")
                            .from(AccessRules::Table, AccessRules::EntityId)
                            .to(SyncEntities::Table, SyncEntities::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // No foreign key: SQLite cannot add one to an existing table; deleting a profile
        // clears the column in the same transaction.
        manager
            .alter_table(
                Table::alter()
                    .table(MobileUsersProfile::Table)
                    .add_column(big_integer_null(MobileUsersProfile::AccessProfileId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SyncCounters::Table)
                    .col(big_integer(SyncCounters::OrganizationId).primary_key())
                    .col(big_integer(SyncCounters::LastVersion))
                    .foreign_key(&mut to_organization(SyncCounters::Table, "sync_counters"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SyncRecords::Table)
                    .col(big_pk_auto(SyncRecords::Id))
                    .col(big_integer(SyncRecords::OrganizationId))
                    .col(big_integer(SyncRecords::EntityId))
                    .col(string_len(SyncRecords::RecordId, 36))
                    .col(text(SyncRecords::Fields))
                    .col(text(SyncRecords::FieldStamps))
                    .col(big_integer(SyncRecords::Version))
                    .col(boolean(SyncRecords::Deleted))
                    .col(timestamp_with_time_zone(SyncRecords::UpdatedAt))
                    .col(string_len(SyncRecords::UpdatedBy, 200))
                    .col(timestamp_with_time_zone(SyncRecords::CreatedAt))
                    .foreign_key(&mut to_organization(SyncRecords::Table, "sync_records"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sync_records_entity")
                            .from(SyncRecords::Table, SyncRecords::EntityId)
                            .to(SyncEntities::Table, SyncEntities::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "idx_sync_records_entity_record",
                    SyncRecords::Table,
                    &["entity_id", "record_id"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        // Pulls read an organization's records by version.
        manager
            .create_index(index(
                "idx_sync_records_organization_version",
                SyncRecords::Table,
                &["organization_id", "version"],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_sync_records_entity_version",
                SyncRecords::Table,
                &["entity_id", "version"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SyncRecordVersions::Table)
                    .col(big_pk_auto(SyncRecordVersions::Id))
                    .col(big_integer(SyncRecordVersions::RecordPk))
                    .col(big_integer(SyncRecordVersions::Version))
                    .col(text(SyncRecordVersions::Fields))
                    .col(boolean(SyncRecordVersions::Deleted))
                    .col(string_len(SyncRecordVersions::ChangedBy, 200))
                    .col(timestamp_with_time_zone(SyncRecordVersions::ChangedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sync_record_versions_record")
                            .from(SyncRecordVersions::Table, SyncRecordVersions::RecordPk)
                            .to(SyncRecords::Table, SyncRecords::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_sync_record_versions_record",
                SyncRecordVersions::Table,
                &["record_pk", "version"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SyncChanges::Table)
                    .col(big_integer(SyncChanges::OrganizationId))
                    .col(string_len(SyncChanges::ChangeId, 36))
                    .col(text(SyncChanges::Result))
                    .col(timestamp_with_time_zone(SyncChanges::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(SyncChanges::OrganizationId)
                            .col(SyncChanges::ChangeId),
                    )
                    .foreign_key(&mut to_organization(SyncChanges::Table, "sync_changes"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SyncLog::Table)
                    .col(big_pk_auto(SyncLog::Id))
                    .col(big_integer(SyncLog::OrganizationId))
                    .col(big_integer(SyncLog::MobileUserId))
                    .col(big_integer_null(SyncLog::DeviceId))
                    .col(string_len(SyncLog::ChangeId, 36))
                    .col(string_len(SyncLog::EntityName, 64))
                    .col(string_len(SyncLog::RecordId, 36))
                    .col(string_len(SyncLog::Op, 8))
                    .col(string_len(SyncLog::Outcome, 16))
                    .col(string_len_null(SyncLog::Kind, 32))
                    .col(text(SyncLog::Message))
                    .col(text(SyncLog::DeviceValues))
                    .col(text_null(SyncLog::ServerValues))
                    .col(timestamp_with_time_zone(SyncLog::ChangedAt))
                    .col(timestamp_with_time_zone(SyncLog::CreatedAt))
                    .col(string_len(SyncLog::State, 16))
                    .col(big_integer_null(SyncLog::RevertedVersion))
                    .col(timestamp_with_time_zone_null(SyncLog::ClosedAt))
                    .col(timestamp_with_time_zone_null(SyncLog::AccessRequestedAt))
                    .foreign_key(&mut to_organization(SyncLog::Table, "sync_log"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sync_log_mobile_user")
                            .from(SyncLog::Table, SyncLog::MobileUserId)
                            .to(MobileUsers::Table, MobileUsers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sync_log_device")
                            .from(SyncLog::Table, SyncLog::DeviceId)
                            .to(Devices::Table, Devices::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("idx_sync_log_organization", &["organization_id", "id"][..]),
            ("idx_sync_log_mobile_user", &["mobile_user_id", "id"][..]),
            (
                "idx_sync_log_device_reverted",
                &["device_id", "reverted_version"][..],
            ),
        ] {
            manager
                .create_index(index(name, SyncLog::Table, cols))
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(SyncStatus::Table)
                    .col(big_integer(SyncStatus::MobileUserId).primary_key())
                    .col(big_integer(SyncStatus::OrganizationId))
                    .col(big_integer_null(SyncStatus::DeviceId))
                    .col(timestamp_with_time_zone(SyncStatus::SyncedAt))
                    .col(string_len(SyncStatus::CheckStatus, 32))
                    .col(string_len(SyncStatus::CheckState, 16))
                    .col(text(SyncStatus::Pending))
                    .col(integer(SyncStatus::PendingCount))
                    .foreign_key(&mut to_organization(SyncStatus::Table, "sync_status"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sync_status_mobile_user")
                            .from(SyncStatus::Table, SyncStatus::MobileUserId)
                            .to(MobileUsers::Table, MobileUsers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sync_status_device")
                            .from(SyncStatus::Table, SyncStatus::DeviceId)
                            .to(Devices::Table, Devices::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SyncWorkingSet::Table)
                    .col(big_integer(SyncWorkingSet::MobileUserId))
                    .col(big_integer(SyncWorkingSet::RecordPk))
                    .col(timestamp_with_time_zone(SyncWorkingSet::TouchedAt))
                    .primary_key(
                        Index::create()
                            .col(SyncWorkingSet::MobileUserId)
                            .col(SyncWorkingSet::RecordPk),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sync_working_set_mobile_user")
                            .from(SyncWorkingSet::Table, SyncWorkingSet::MobileUserId)
                            .to(MobileUsers::Table, MobileUsers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sync_working_set_record")
                            .from(SyncWorkingSet::Table, SyncWorkingSet::RecordPk)
                            .to(SyncRecords::Table, SyncRecords::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SyncWorkingSet::Table.into_iden(),
            SyncStatus::Table.into_iden(),
            SyncLog::Table.into_iden(),
            SyncChanges::Table.into_iden(),
            SyncRecordVersions::Table.into_iden(),
            SyncRecords::Table.into_iden(),
            SyncCounters::Table.into_iden(),
            AccessRules::Table.into_iden(),
            AccessProfiles::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(MobileUsersProfile::Table)
                    .drop_column(MobileUsersProfile::AccessProfileId)
                    .to_owned(),
            )
            .await
    }
}
