"""IPOC — 产业知识产权运营中心平台 (platform for industrial IP operation centers)."""

__version__ = "0.1.0"
