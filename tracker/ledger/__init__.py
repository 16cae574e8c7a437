"""The ledger (台账): tasks, their tree, queries and edits."""
