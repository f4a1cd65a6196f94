//! LicenseDesk: a self-hosted back office for the licences of mobile field apps.
//!
//! `domain` holds the rules, `storage` the database, `mail` the outbox worker, `web` the
//! HTTP edge; `startup` wires them into a server and `cli` into a command line.

pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod jobs;
pub mod mail;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod web;
