"""The building blocks of the open statistics that the engine, the features' figures, the
toolkit and the hub share: the versioned schema the figures are published in, periods,
disclosure control so that no published figure concerns fewer people than a threshold, and
the operations' indicators (see docs/statistics.md). The feature that computes and serves a
region's statistics is :mod:`campagne.features.statistics`."""
