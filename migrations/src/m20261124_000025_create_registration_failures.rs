use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Failed registration attempts, counted per source address and per code, so that codes
/// cannot be guessed (docs/behaviour.md#registration-codes). In the database, so that every instance counts the same.
#[derive(DeriveIden)]
enum RegistrationFailures {
    Table,
    Id,
    Client,
    CodeHash,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RegistrationFailures::Table)
                    .col(big_pk_auto(RegistrationFailures::Id))
                    .col(string_len(RegistrationFailures::Client, 64))
                    .col(string_len(RegistrationFailures::CodeHash, 64))
                    .col(timestamp_with_time_zone(RegistrationFailures::At))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            (
                "idx_registration_failures_client",
                RegistrationFailures::Client,
            ),
            (
                "idx_registration_failures_code",
                RegistrationFailures::CodeHash,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(RegistrationFailures::Table)
                        .col(column)
                        .col(RegistrationFailures::At)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RegistrationFailures::Table).to_owned())
            .await
    }
}
