//go:build race

package pq

func init() { raceEnabled = true }
