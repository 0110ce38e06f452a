"""人员增减员 (SPEC PC-1 … PC-7, issue #18): 增员 / 减员 of an employer's workers, confirmed and reviewed as 办件,
taking effect on the social-insurance records (参保登记) through domains.social_insurance.service."""
