/** Raft arithmetic shared by status findings and the upgrade's quorum guard. */

/** Quorum of a voting membership: floor(n/2) + 1 (learners do not vote). A cluster of n tolerates (n-1)/2 failures. */
export function quorumSize(votingMembers: number): number {
  return Math.floor(votingMembers / 2) + 1;
}
