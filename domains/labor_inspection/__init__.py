"""Labour-inspection declarations and credit ratings."""
