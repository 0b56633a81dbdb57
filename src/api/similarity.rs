//! `essay.v1.SimilarityService`: essays that share passages with an essay.

use tonic::{Request, Response, Status};

use super::tenant;
use crate::{
    core::{CoreError, EssayId, Similarity, SimilarityQuery},
    proto::v1::{self, similarity_service_server::SimilarityService},
};

pub struct SimilarityApi {
    similarity: Similarity,
}

impl SimilarityApi {
    pub fn new(similarity: Similarity) -> Self {
        Self { similarity }
    }
}

#[tonic::async_trait]
impl SimilarityService for SimilarityApi {
    async fn find_similar_essays(
        &self,
        request: Request<v1::FindSimilarEssaysRequest>,
    ) -> Result<Response<v1::FindSimilarEssaysResponse>, Status> {
        let tenant = tenant(&request)?;
        let r = request.into_inner();
        let query = match r.query {
            Some(v1::find_similar_essays_request::Query::EssayId(id)) => {
                SimilarityQuery::Essay(EssayId::parse("essay_id", &id)?)
            }
            Some(v1::find_similar_essays_request::Query::Text(text)) => SimilarityQuery::Text(text),
            None => return Err(CoreError::invalid("query", "QUERY_MISSING", "set essay_id or text").into()),
        };
        if r.limit < 0 {
            return Err(CoreError::invalid("limit", "NEGATIVE_LIMIT", format!("is {}", r.limit)).into());
        }
        let limit = if r.limit == 0 { 10 } else { r.limit as usize };
        let similarity = self.similarity.clone();
        let (text, matches) = tokio::task::spawn_blocking(move || similarity.find(&tenant, query, r.threshold, limit))
            .await
            .map_err(|e| Status::internal(format!("search task failed: {e}")))??;
        let slice = |t: &str, r: &std::ops::Range<usize>| t.get(r.clone()).unwrap_or_default().to_owned();
        Ok(Response::new(v1::FindSimilarEssaysResponse {
            matches: matches
                .into_iter()
                .map(|m| v1::SimilarEssay {
                    essay_id: m.essay_id.to_string(),
                    coverage: m.coverage,
                    passages: m
                        .passages
                        .iter()
                        .map(|(q, c)| v1::SharedPassage {
                            query_start: q.start as u32,
                            query_end: q.end as u32,
                            match_start: c.start as u32,
                            match_end: c.end as u32,
                            query_text: slice(&text, q),
                            match_text: slice(&m.match_text, c),
                        })
                        .collect(),
                })
                .collect(),
        }))
    }
}
