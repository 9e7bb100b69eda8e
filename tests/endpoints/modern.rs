//! Engine 28.5 (API 1.51), with the v1.51 types: the shared endpoint tests, and what changed
//! after 1.41.

endpoint_tests!(Modern, v1_51);

#[path = "after_1_41.rs"]
mod after_1_41;
