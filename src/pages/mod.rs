//! One module per screen, named after its route.

pub mod home;
pub mod login;
pub mod not_found;
pub mod people;
pub mod sync;
