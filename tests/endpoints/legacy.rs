//! Engine 20.10 (API 1.41), with the v1.41 types.

endpoint_tests!(Legacy, v1_41);
