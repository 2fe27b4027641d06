package server

import "github.com/pqloop/pqloop/server/config"

// newPQ builds the PQ channel listener when pq.listen is set.
func (s *Server) newPQ(cfg *config.Config) (component, error) { return nil, nil }
