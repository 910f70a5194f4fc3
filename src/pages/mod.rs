//! One module per screen, named after its route.

pub mod accounts;
pub mod home;
pub mod login;
pub mod not_found;
pub mod password;
pub mod people;
pub mod person;
pub mod sync;
pub mod units;
pub mod units_import;
