//! One module per screen, named after its route.

pub mod home;
pub mod not_found;
