"""EB-ALFRED on the real AI2-THOR: the ``ai2thor`` 2.1.0 Controller (EB-ALFRED's and ALFRED's pin) behind
the household env's Gymnasium contract. Import ``envs.thor.env`` only where THOR is wanted: the
package itself needs nothing beyond the household vocabulary until an env is built."""
