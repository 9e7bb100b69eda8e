//! Engine 28.5 (API 1.51), with the v1.51 types.

endpoint_tests!(Modern, v1_51);
