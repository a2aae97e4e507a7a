"""The directory of partner services, kept in Open Referral HSDS 3.0, and referrals to it."""
