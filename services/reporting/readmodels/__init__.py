"""Read models projected from every topic into SQL."""
