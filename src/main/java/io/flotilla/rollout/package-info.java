/**
 * Fleet rollouts: a plan of companies × versions in waves (canary first), executed by whichever replica holds
 * the rollout's advisory lock, with pause, resume, cancel and a failure threshold; resumable after a crash.
 */
package io.flotilla.rollout;
