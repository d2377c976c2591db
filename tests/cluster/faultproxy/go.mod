module kubectl-crucible/tests/cluster/faultproxy

go 1.26.0
