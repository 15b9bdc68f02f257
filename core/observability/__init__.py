"""What an operator watches: Prometheus metrics at ``/metrics`` (docs/operations.md)."""
