"""The platform's own pages, above every service: home, 长辈版, 查看完整号码, staff sign-in and the end of an
applicant's sign-in. Their Areas are declared by the Piccolo apps they belong to (portal/core, portal/auth)."""
